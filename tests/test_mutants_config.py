"""``make mutants`` still points at real code, and its baseline file matches it.

Mutation testing is too slow for ``make test``, so this fast test guards what can silently go
stale: a function renamed or moved would otherwise drop out of mutation testing unnoticed, and a
test file renamed would leave its module's mutants with no tests to kill them.

A staleness check by commit count (the baseline older than the modules by N commits) was
considered and left out: most commits that touch these modules do not change what the tests
catch, so it would fail often for nothing and teach people to re-record without looking. The
baseline's figures are refreshed by running ``make mutants`` after changing a rule, and survivors
the baseline does not explain are flagged as NEW by the run itself.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutants_driver", ROOT / "scripts" / "mutants.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


MUTANTS = driver()


@pytest.mark.parametrize("name", list(MUTANTS.MODULES))
def test_each_module_s_functions_and_tests_exist(name: str) -> None:
    module = MUTANTS.MODULES[name]
    source = ROOT / module.path
    assert source.is_file(), module.path
    missing = set(module.functions) - MUTANTS.defined_functions(source)
    assert not missing, (
        f"{name}: {module.path} no longer defines {sorted(missing)}; update scripts/mutants.py"
    )
    for test in module.tests:
        assert (ROOT / test).is_file(), f"{name}: {test} is gone; update scripts/mutants.py"


def test_the_baseline_covers_exactly_the_modules_mutated() -> None:
    baseline = json.loads(MUTANTS.BASELINE.read_text(encoding="utf-8"))
    assert set(baseline["modules"]) == set(MUTANTS.MODULES)
    for name, entry in baseline["modules"].items():
        assert entry["file"] == MUTANTS.MODULES[name].path, name
        if entry["mutants"] is not None:  # None: not measured yet
            assert entry["killed"] + len(entry["survivors"]) == entry["mutants"], name


def test_mutant_names_follow_mutmut_s_scheme() -> None:
    assert MUTANTS.mangled("Workbook.delete") == "xǁWorkbookǁdelete"
    assert MUTANTS.mangled("check_letter") == "x_check_letter"
    assert MUTANTS.module_name("iivkit/method/letter_check.py") == "iivkit.method.letter_check"


@pytest.mark.parametrize("name", [n for n, m in MUTANTS.MODULES.items() if m.deselect])
def test_each_test_left_out_of_a_module_is_one_of_its_tests(name: str) -> None:
    module = MUTANTS.MODULES[name]
    for test in module.deselect:
        path, _, function = test.partition("::")
        assert path in module.tests, f"{name}: {test} is not in one of its test files"
        assert f"def {function}(" in (ROOT / path).read_text(encoding="utf-8"), f"{name}: {test} is gone"
