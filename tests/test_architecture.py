"""The layers of iivkit hold: no import cycles, no import up the layers, no ties hidden in strings.

The layers, lowest first, are drawn in ``docs/architecture.md``; :data:`LAYERS` is the same
table. A module imports only its own part of the package and parts of the same or a lower
layer, save two pairs of siblings that stay apart. ``import iivkit`` and
``from iivkit import __version__`` are allowed anywhere.

The workbook is read with SQL only where its queries live (:data:`SQL_READERS`); everything
above reads through ``iivkit.workbook.views`` or the store.

The checks read the source (``tests/import_graph.py``), so they see imports inside functions
too. The last tests build a small package with one cycle and one upward import and check that
exactly those are reported, so a check that could never fail would fail there.
"""

from __future__ import annotations

import importlib
import re
import textwrap
from pathlib import Path

import pytest
from import_graph import (
    Layers,
    cycles,
    describe_cycle,
    find_spec_calls,
    imports,
    layer_violations,
    modules,
    sql_reads,
    string_edges,
    unresolved_paths,
)

import iivkit
from iivkit._moved import MOVED

PACKAGE = Path(iivkit.__file__).resolve().parent

LAYERS = Layers(
    layer_of={
        # 0: errors, shipped files, and release 0.1's module paths
        "errors": 0,
        "resources": 0,
        "data": 0,
        "templates": 0,
        "_moved": 0,
        # 1: the workbook: records, SQLite, queries, interchange
        "workbook": 1,
        # 2: the interviewing method over a workbook
        "method": 2,
        # 3: notebook widgets and tables; running notebooks in kernels
        "ui": 3,
        "batch": 3,
        # 4: interview reports and the course
        "reports": 4,
        "course": 4,
        # 5: what a person starts: the app, the command line, the notebook API
        "app": 5,
        "cli": 5,
        "nb": 5,
    },
    # iivkit/__init__.py re-exports the records and the workbook.
    root_layer=1,
    apart=frozenset({frozenset({"ui", "batch"}), frozenset({"reports", "course"})}),
    # The release 0.1 aliases are installed by iivkit/__init__.py, so they must not import
    # the package back; they name their targets in strings and import them on first use.
    isolated=frozenset({"_moved"}),
)

# Strings that look like module paths and are not: a key in click's context (cli.py).
NOT_MODULES = frozenset({"iivkit.arguments"})


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {name.split(".")[1] for name in modules(PACKAGE) if "." in name}
    assert sorted(parts - set(LAYERS.layer_of)) == [], "add the new part to LAYERS and docs/architecture.md"


def test_the_layer_table_in_the_architecture_page_is_this_one() -> None:
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn: dict[str, int] = {}
    for layer, packages in re.findall(r"^\| (\d) \| ([^|]+) \|", page, flags=re.MULTILINE):
        for package in re.findall(r"`iivkit\.(\w+)`", packages):
            drawn[package] = int(layer)
    assert drawn == LAYERS.layer_of


def test_no_import_cycles() -> None:
    found = [describe_cycle(path, PACKAGE) for path in cycles(imports(PACKAGE))]
    assert not found, "\n".join(found)


def test_no_import_up_the_layers_or_between_siblings_kept_apart() -> None:
    edges = imports(PACKAGE) + string_edges(PACKAGE, not_modules=NOT_MODULES)
    found = layer_violations(PACKAGE, edges, LAYERS)
    assert not found, "\n".join(found)


def test_no_module_looks_up_its_siblings_with_find_spec() -> None:
    found = find_spec_calls(PACKAGE)
    assert not found, "\n".join(found)


def test_every_module_path_in_a_string_names_a_module_that_imports() -> None:
    found = unresolved_paths(PACKAGE, not_modules=NOT_MODULES)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("old", sorted(MOVED))
def test_every_release_0_1_path_leads_to_a_module_that_imports(old: str) -> None:
    assert importlib.import_module(old) is importlib.import_module(MOVED[old])
    assert importlib.import_module(old).__name__ == MOVED[old]


# -- the checks themselves can fail ----------------------------------------------------------

FAKE_LAYERS = Layers(layer_of={"low": 0, "high": 1}, root_layer=0)


def fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package ``fakepkg`` in *tmp_path* with *files* (path → source) and empty ``__init__``s."""
    root = tmp_path / "fakepkg"
    for name, source in {"__init__.py": "__version__ = '0'\n", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in path.relative_to(root).parents:
            init = root / folder / "__init__.py"
            if not init.exists():
                init.write_text("", encoding="utf-8")
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return root


def test_the_checker_reports_exactly_one_cycle_and_one_upward_import(tmp_path: Path) -> None:
    root = fake_package(
        tmp_path,
        {
            # a -> b at module level, b -> a inside a function: a cycle all the same.
            "low/a.py": "from . import b\nimport fakepkg\n",
            "low/b.py": "from fakepkg import __version__\n\n\ndef f():\n    from fakepkg.low import a\n",
            # Up the layers, inside a function, so only reading the whole module finds it.
            "low/c.py": "import os\n\n\ndef g():\n    from fakepkg.high import h\n",
            # Down the layers: allowed.
            "high/h.py": "from fakepkg.low.a import b\nfrom ..low import a\n",
        },
    )
    edges = imports(root)

    assert [describe_cycle(path, root) for path in cycles(edges)] == [
        "import cycle: fakepkg.low.a (fakepkg/low/a.py:1) -> fakepkg.low.b (fakepkg/low/b.py:5)"
        " -> fakepkg.low.a"
    ]
    assert layer_violations(root, edges, FAKE_LAYERS) == [
        "fakepkg/low/c.py:5: fakepkg.low.c (layer 0) imports fakepkg.high.h (layer 1): up the layers"
    ]


def test_the_checker_reports_find_spec_dead_paths_and_parts_kept_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fake_package(
        tmp_path,
        {
            "low/a.py": """\
                import importlib.util

                OPTIONAL = importlib.util.find_spec("fakepkg.low.b") is not None
                OTHERS = [importlib.util.find_spec(n) for n in ("json", "fakepkg.high")]
                PRELOAD = ("fakepkg.low.b", "fakepkg.low.b:f", "fakepkg.gone", "fakepkg.low.b:nothing")
                HELP = "run python -m fakepkg.low.b, or see fakepkg.low.b.f and fakepkg.low.b.gone"
                PLAIN = importlib.util.find_spec("json")
            """,
            "low/b.py": "def f():\n    pass\n",
            "low/c.py": "import fakepkg.side\n",
            "side.py": "from fakepkg.low import c\n",
            # Isolated: may name modules in strings, but import none.
            "high/h.py": "from fakepkg.low import b\n\nPRELOAD = ['fakepkg.low.b']\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    assert find_spec_calls(root) == [
        "fakepkg/low/a.py:3: fakepkg.low.a looks up a module of its own package with find_spec",
        "fakepkg/low/a.py:4: fakepkg.low.a looks up a module of its own package with find_spec",
    ]
    assert unresolved_paths(root) == [
        "fakepkg/low/a.py:5: 'fakepkg.gone': no module of that name imports",
        "fakepkg/low/a.py:5: 'fakepkg.low.b:nothing': fakepkg.low.b has no 'nothing'",
        "fakepkg/low/a.py:6: 'fakepkg.low.b.gone': fakepkg.low.b has no 'gone'",
    ]
    apart = Layers(
        layer_of={"low": 0, "side": 0, "high": 1},
        apart=frozenset({frozenset({"low", "side"})}),
        isolated=frozenset({"high"}),
    )
    edges = imports(root) + string_edges(root)
    assert layer_violations(root, edges, apart) == [
        "fakepkg/high/h.py:1: fakepkg.high.h imports fakepkg.low.b; it may import nothing",
        # A string naming a module is a tie too: here, one up the layers.
        "fakepkg/low/a.py:4: fakepkg.low.a (layer 0) names fakepkg.high (layer 1): up the layers",
        "fakepkg/low/c.py:1: fakepkg.low.c imports fakepkg.side: low and side stay apart",
        "fakepkg/side.py:1: fakepkg.side imports fakepkg.low.c: low and side stay apart",
    ]


# -- SQL reads live in the workbook's query modules --------------------------------------------

SQL_READERS = frozenset(
    {
        # The read queries: every view of a workbook that the method, ui, reports and course use.
        "iivkit.workbook.views",
        # The same rows as plain lists, without pydantic or pandas: what a report's fingerprint
        # and a class run's digest hash, and the names and days of page titles.
        "iivkit.workbook.rows",
        # The store: reading records back into models (get, all, frame, meta), and reads that
        # are part of a write or a format check: the version check of an update, naming the
        # record a broken reference points at, refusing a workbook with views or triggers.
        "iivkit.workbook.store",
        # The tables' definition and their upgrades: a migration may read the rows it rewrites,
        # part of its write path (none does yet).
        "iivkit.workbook.schema",
        "iivkit.workbook.migrations",
        # Opening a file: its format and the refusal of views and triggers, before any record.
        "iivkit.workbook.opening",
    }
)


def test_sql_reads_live_only_in_the_workbooks_query_modules() -> None:
    found = sql_reads(PACKAGE, allowed=SQL_READERS)
    assert not found, "move the query into iivkit/workbook/views.py:\n" + "\n".join(found)


def test_the_checker_reports_a_select_outside_the_views(tmp_path: Path) -> None:
    root = fake_package(
        tmp_path,
        {
            "low/views.py": """\
                import pandas as pd


                def v(conn):
                    return pd.read_sql_query("SELECT 1", conn)
            """,
            "high/h.py": """\
                \"\"\"Select nothing here: a docstring is prose.\"\"\"
                import pandas as pd
                from pandas import read_sql


                def f(conn, table):
                    rows = conn.execute(f"select * from {table}").fetchall()
                    return rows, pd.read_sql_query("PRAGMA table_info(x)", conn), read_sql("t", conn)
            """,
        },
    )

    assert sql_reads(root, allowed=frozenset({"fakepkg.low.views"})) == [
        "fakepkg/high/h.py:7: fakepkg.high.h holds a SELECT",
        "fakepkg/high/h.py:8: fakepkg.high.h calls read_sql",
        "fakepkg/high/h.py:8: fakepkg.high.h calls read_sql_query",
    ]
    assert sql_reads(root, allowed=frozenset()) == [
        "fakepkg/high/h.py:7: fakepkg.high.h holds a SELECT",
        "fakepkg/high/h.py:8: fakepkg.high.h calls read_sql",
        "fakepkg/high/h.py:8: fakepkg.high.h calls read_sql_query",
        "fakepkg/low/views.py:5: fakepkg.low.views calls read_sql_query",
        "fakepkg/low/views.py:5: fakepkg.low.views holds a SELECT",
    ]
