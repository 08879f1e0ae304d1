"""The two ways to install iivkit (pip with pyproject.toml, conda with environment.yml) stay in step."""

from __future__ import annotations

import re
import stat
import sys
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent

# conda-forge names that differ from the PyPI name of the same package.
CONDA_TO_PYPI = {"python-tzdata": "tzdata"}
# Entries of environment.yml that are the environment itself, not iivkit's dependencies.
CONDA_ONLY = {"python", "pip"}


def normalise(name: str) -> str:
    """PEP 503 name: lowercase, runs of '-', '_' and '.' become one '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def canonical_spec(spec: str) -> str:
    """A version specifier in one spelling, so '>= 2.0' and '>=2.0' compare equal."""
    return ",".join(sorted(str(s) for s in SpecifierSet(spec.replace(" ", ""))))


def load_pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def load_environment() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    return data


def pip_runtime_deps(pyproject: dict[str, Any]) -> dict[str, str]:
    """{normalised name: specifier} of pyproject's [project] dependencies."""
    deps: dict[str, str] = {}
    for line in pyproject["project"]["dependencies"]:
        req = Requirement(line)
        assert not req.marker, f"pyproject.toml: {line!r} has an environment marker conda cannot mirror"
        deps[normalise(req.name)] = canonical_spec(str(req.specifier))
    return deps


def parse_conda_spec(entry: str) -> tuple[str, str]:
    """Split a conda match spec like 'pandas>=2.0' into (name, specifier)."""
    m = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*(.*?)\s*", entry)
    assert m, f"environment.yml: cannot read dependency {entry!r}"
    return m.group(1), m.group(2)


def conda_runtime_deps(env: dict[str, Any]) -> dict[str, str]:
    """{normalised PyPI name: specifier} of environment.yml's conda dependencies."""
    deps: dict[str, str] = {}
    for entry in env["dependencies"]:
        if isinstance(entry, dict):  # the nested "pip:" list
            continue
        name, spec = parse_conda_spec(entry)
        name = normalise(name)
        if name in CONDA_ONLY:
            continue
        deps[normalise(CONDA_TO_PYPI.get(name, name))] = canonical_spec(spec)
    return deps


def describe_drift(pip: dict[str, str], conda: dict[str, str]) -> str:
    lines = []
    for name in sorted(pip.keys() | conda.keys()):
        a, b = pip.get(name), conda.get(name)
        if a != b:
            shown_a = "(missing)" if a is None else repr(a)
            shown_b = "(missing)" if b is None else repr(b)
            lines.append(f"  {name}: pyproject.toml {shown_a} vs environment.yml {shown_b}")
    return "\n".join(lines)


def test_conda_environment_has_the_same_runtime_dependencies_and_lower_bounds_as_pyproject() -> None:
    pip = pip_runtime_deps(load_pyproject())
    conda = conda_runtime_deps(load_environment())
    assert pip == conda, "runtime dependencies differ:\n" + describe_drift(pip, conda)


def test_drift_between_the_two_files_is_detected() -> None:
    # The comparison above is only worth something if it notices a changed bound or a missing package.
    pyproject = load_pyproject()
    env = load_environment()
    pyproject["project"]["dependencies"] = [
        "pandas>=2.1" if normalise(Requirement(d).name) == "pandas" else d
        for d in pyproject["project"]["dependencies"]
    ]
    env["dependencies"] = [d for d in env["dependencies"] if d != "python-tzdata"]
    pip = pip_runtime_deps(pyproject)
    conda = conda_runtime_deps(env)
    assert pip != conda
    drift = describe_drift(pip, conda)
    assert "pandas: pyproject.toml '>=2.1' vs environment.yml '>=2.0'" in drift
    assert "tzdata: pyproject.toml '' vs environment.yml (missing)" in drift


def test_names_are_compared_after_normalisation() -> None:
    assert normalise("Email_Validator") == normalise("email-validator") == normalise("email.validator")
    assert canonical_spec(">= 2.0") == canonical_spec(">=2.0")


def test_runtime_dependencies_have_lower_bounds_only() -> None:
    # Upper bounds and pins in a library make it uninstallable next to other packages.
    for line in load_pyproject()["project"]["dependencies"]:
        ops = {s.operator for s in Requirement(line).specifier}
        assert ops <= {">="}, f"pyproject.toml: {line!r} should have a lower bound (>=) only"


def test_conda_python_matches_requires_python() -> None:
    pyproject = load_pyproject()
    pythons = [
        parse_conda_spec(d)[1]
        for d in load_environment()["dependencies"]
        if isinstance(d, str) and parse_conda_spec(d)[0] == "python"
    ]
    assert pythons == [pyproject["project"]["requires-python"]]


def test_conda_environment_installs_this_checkout_with_test_extras() -> None:
    pip_sections = [d["pip"] for d in load_environment()["dependencies"] if isinstance(d, dict)]
    assert pip_sections == [["-e .[test]"]]
    assert "test" in load_pyproject()["project"]["optional-dependencies"]


def test_version_and_command_come_from_the_package() -> None:
    pyproject = load_pyproject()
    assert pyproject["project"]["scripts"] == {"iivkit": "iivkit.cli:main"}
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "iivkit.__version__"}
    init = (ROOT / "iivkit" / "__init__.py").read_text(encoding="utf-8")
    assert re.search(r'^__version__ = "\d+\.\d+\.\d+"$', init, re.MULTILINE)


def test_ci_script_is_executable_and_runs_make_test() -> None:
    run = ROOT / ".ci" / "run"
    assert run.stat().st_mode & stat.S_IXUSR, ".ci/run must be executable"
    commands = [
        line.strip()
        for line in run.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[-1] == "make test"
