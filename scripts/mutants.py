"""Mutation testing of the rules users rely on: ``make mutants``.

mutmut plants small bugs (a ``<`` made ``<=``, a ``True`` made ``False``, a string changed) one
at a time in the functions listed below, and runs the fast tests that exercise each function.
A mutant the tests notice is *killed*; one they miss has *survived*, and points at an edge the
tests do not pin.

Each module is run on its own, in ``build/mutants/<module>/`` (a copy of the checkout, so the
tree itself is never touched), with only the test files listed for it: a mutant runs just the
tests that call the mutated function, so a run takes minutes, not hours. Tests that start the
command line in another process cannot kill a mutant (the other process runs the unmutated
code), so the fast in-process tests are the ones that count.

Usage::

    python scripts/mutants.py                  # every module
    python scripts/mutants.py letter_check     # one or more, by name
    python scripts/mutants.py --list           # the modules, their functions and tests

It prints the kill rate per module and each survivor (file:line and the change), marking
those the baseline (``tests/mutants-baseline.json``) explains as equivalent mutants, and the
others as unexplained. With
``--write-baseline`` it records the figures there, keeping the explanations already written.
The exit status is 1 when a module is below :data:`TARGET` or has an unexplained survivor.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutants"
BASELINE = ROOT / "tests" / "mutants-baseline.json"
TARGET = 0.85
"""The kill rate each module should reach."""
FAST = "not slow and not browser"
SEP = "ǁ"  # mutmut's separator between class and method in a mutant's name


@dataclass(frozen=True)
class Module:
    """One module under mutation: the functions mutated, and the fast tests that pin them.

    :param functions: names in the module (``Class.method`` for a method); empty for all.
    :param deselect: tests of those files left out (``file::name``): ones that take many seconds and
        would run again for every mutant they cover, while faster tests pin the same behaviour.
    """

    path: str
    tests: tuple[str, ...]
    functions: tuple[str, ...] = ()
    why: str = ""
    deselect: tuple[str, ...] = ()


MODULES: dict[str, Module] = {
    "store": Module(
        "iivkit/workbook/store.py",
        ("tests/test_store.py", "tests/test_store_edges.py"),
        (
            "Workbook.transaction",
            "Workbook._check_references",
            "Workbook._validated",
            "Workbook.add",
            "Workbook.add_many",
            "Workbook.update",
            "Workbook.save",
            "Workbook.referrers",
            "Workbook.delete",
            "Workbook._integrity",
        ),
        "the write path (add, update, save, transactions) and the refusal to delete what is referred to",
    ),
    "followups": Module(
        "iivkit/method/followups.py",
        ("tests/test_followups.py", "tests/test_followup_edges.py"),
        why="the follow-up rules, business days and holidays",
    ),
    "anonymise": Module(
        "iivkit/workbook/anonymise.py",
        ("tests/test_anonymise.py", "tests/test_anonymise_edges.py"),
        (
            "Pseudonymiser.code",
            "Pseudonymiser.add_person",
            "Pseudonymiser.email",
            "Pseudonymiser.phone",
            "Pseudonymiser._known_phone",
            "Pseudonymiser._is_phone",
            "Pseudonymiser._replacement",
            "people_pseudonymiser",
            "anonymise",
        ),
        # The name-matching core (fold, _Person.pattern, Pseudonymiser.text) is left out, and so
        # are the corpus tests (tests/test_anonymise_corpus.py): with them a run takes hours.
        "pseudonymising emails and phone numbers, and the people's own fields",
    ),
    "letter_check": Module(
        "iivkit/method/letter_check.py",
        ("tests/test_letter_check.py",),
        why="whether a letter is ready to send: required parts and leftover placeholders",
    ),
    "report_fingerprint": Module(
        "iivkit/reports/inputs.py",
        ("tests/test_reports.py", "tests/test_report_parts.py"),
        ("report_inputs", "report_inputs_json", "WorkbookInputs.json"),
        "what a report reads, hashed to tell a changed debrief from an unchanged one",
    ),
    "report_header": Module(
        "iivkit/reports/data.py",
        ("tests/test_report_parts.py",),
        ("header", "_header"),
        "the header's fields",
    ),
    "report_rows": Module(
        "iivkit/workbook/rows.py",
        ("tests/test_reports.py", "tests/test_report_parts.py"),
        (
            "_rows",
            "interview_records",
            "workbook_records",
            "interview_statuses",
            "growth_records",
            "has_unrouted_open_questions",
            "routing_records",
        ),
        # Every function of rows.py that a report's fingerprint reads its rows through.
        "the rows the report fingerprint hashes",
    ),
    "report_escaping": Module(
        "iivkit/reports/html.py",
        ("tests/test_reports.py", "tests/test_presentation.py", "tests/test_report_parts.py"),
        ("table_html", "text_html", "header_html", "grouped_html"),
        "the report's header and tables as HTML, every piece of user text escaped",
    ),
    "course_counts": Module(
        "iivkit/course/data.py",
        ("tests/test_course.py", "tests/test_course_counts.py"),
        ("_assess", "ClassSummary.table", "ClassSummary.completion", "common_questions"),
        "each student's numbers and the class summary's counts",
    ),
    "course_rows": Module(
        "iivkit/workbook/views.py",
        ("tests/test_course.py", "tests/test_course_counts.py"),
        ("progress_counts", "open_question_texts"),
        "the counts each student's numbers come from",
    ),
    "rubric": Module(
        "iivkit/course/exercises.py",
        ("tests/test_rubric.py", "tests/test_rubric_edges.py"),
        (
            "check_research",
            "_findings_part",
            "check_plans",
            "_plan_parts",
            "_tailored",
            "check_letters",
            "check_debrief",
            "_outcomes_part",
        ),
        "each exercise's fixed parts and whether each is met",
        # The synthetic class of 30 builds 150 workbooks (about 20 seconds); it checks that the parts
        # and the summary add up, which the word-for-word tests of each part pin more closely.
        deselect=("tests/test_rubric.py::test_a_class_of_30_has_the_same_parts_and_the_summary_adds_up",),
    ),
    "planner": Module(
        "iivkit/method/planner.py",
        ("tests/test_planner.py", "tests/test_planner_edges.py"),
        (
            "findings_to_test",
            "_topic_fits",
            "_score",
            "is_author",
            "is_about_pay",
            "plan",
            "_springboards",
            "_template",
            "is_who_else",
            "_asks",
            "coverage",
        ),
        "which questions a plan picks, in what order, within the time",
    ),
}


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def mangled(function: str) -> str:
    """mutmut's name for *function* (``Class.method`` or a module-level name)."""
    cls, _, name = function.rpartition(".")
    return f"x{SEP}{cls}{SEP}{name}" if cls else f"x_{name}"


def defined_functions(path: Path) -> set[str]:
    """Every function of the module at *path*, as ``name`` or ``Class.method``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef):
            found |= {
                f"{node.name}.{f.name}"
                for f in node.body
                if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
    return found


# -- one module ------------------------------------------------------------------------------


def prepare(name: str, module: Module) -> Path:
    """A fresh copy of the checkout for *name*, with mutmut's settings for that module."""
    work = WORK / name
    if work.exists():
        shutil.rmtree(work)
    skip = {".git", ".venv", "build", "dist", "demo", "node_modules", "test-results"}
    shutil.copytree(
        ROOT,
        work,
        ignore=lambda folder, names: [
            n
            for n in names
            if (Path(folder) == ROOT and n in skip)
            or n in {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
            or n.endswith((".iiv-wal", ".iiv-shm"))
        ],
    )
    settings = {
        "source_paths": ["iivkit"],
        "only_mutate": [module.path],
        "also_copy": sorted(p.name for p in work.iterdir() if p.name not in {"iivkit", "mutants"}),
        # A test file not in this checkout (an older one, measured for comparison) is skipped;
        # tests/test_mutants_config.py checks that every file listed is here.
        "pytest_add_cli_args_test_selection": [
            *(t for t in module.tests if (ROOT / t).exists()),
            *(arg for test in module.deselect for arg in ("--deselect", test)),
            "-m",
            FAST,
        ],
        "pytest_add_cli_args": ["-p", "no:cacheprovider"],
        "use_git_change_detection": False,
    }
    with (work / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n[tool.mutmut]\n")
        for key, value in settings.items():
            f.write(f"{key} = {json.dumps(value)}\n")
    return work


def run_module(name: str, module: Module, *, children: int, mode: str = "fresh") -> dict[str, object]:
    """Run mutmut on *module*; its mutants' statuses and the survivors' changes.

    :param mode: ``fresh`` runs every mutant again; ``resume`` goes on with the mutants the last
        run left unchecked; ``reuse`` only reports the last run.
    """
    work = WORK / name
    meta = work / "mutants" / (module.path + ".meta")
    log = work / "mutmut.log"
    patterns = [f"{module_name(module.path)}.{mangled(f)}__mutmut_*" for f in module.functions]
    if mode != "reuse" or not meta.exists():
        if mode == "fresh" or not meta.exists():
            work = prepare(name, module)
        else:
            # mutmut reruns mutants named explicitly: name only those still unchecked.
            codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
            wanted = [re.compile(_glob(p)) for p in patterns]
            patterns = [
                k
                for k, v in codes.items()
                if v is None and (not wanted or any(w.fullmatch(k) for w in wanted))
            ] or patterns
        mutmut = Path(sys.executable).with_name("mutmut")
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "IIVKIT_WORKBOOK"}}
        env["IIVKIT_CACHE_DIR"] = str(work / "cache")
        with log.open("a", encoding="utf-8") as out:
            done = subprocess.run(
                [str(mutmut), "run", "--max-children", str(children), *patterns],
                cwd=work,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if not meta.exists():
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise SystemExit(f"mutmut failed on {name} (exit {done.returncode}); see {log}:\n{tail}")
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    selected = [
        re.compile(_glob(f"{module_name(module.path)}.{mangled(f)}__mutmut_*")) for f in module.functions
    ]
    codes = {k: v for k, v in codes.items() if not selected or any(w.fullmatch(k) for w in selected)}
    statuses = {k: _status(v) for k, v in codes.items()}
    survivors = []
    missed = sorted(k for k, s in statuses.items() if s not in ("killed", "not checked"))
    shown = diffs(work, missed, module.path)
    for key in missed:
        line, change = describe(shown[key], key, module.path)
        survivors.append(
            {"mutant": key.rpartition(".")[2], "status": statuses[key], "line": line, "change": change}
        )
    counts = Counter(statuses.values())
    # Mutants not yet checked (a run stopped early) are left out of the rate, and counted apart.
    total = sum(counts.values()) - counts["not checked"]
    return {
        "file": module.path,
        "mutants": total,
        "not_checked": counts["not checked"],
        "killed": counts["killed"],
        "kill_rate": round(counts["killed"] / total, 3) if total else None,
        "survivors": survivors,
    }


def _glob(pattern: str) -> str:
    return re.escape(pattern).replace(r"\*", ".*")


def _status(code: int | None) -> str:
    # As mutmut counts them; a timeout is a kill (the mutant broke the code badly enough to hang).
    if code in (1, 3, 36, -24, 24, 152, 255):
        return "killed"
    return {0: "survived", 5: "no tests", 33: "no tests", None: "not checked", 34: "skipped"}.get(
        code, "suspicious"
    )


SHOW = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
keys = json.load(sys.stdin)
json.dump({k: get_diff_for_mutant(k, path=keys[k]) for k in keys}, sys.stdout)
"""


def diffs(work: Path, keys: list[str], path: str) -> dict[str, str]:
    """Each mutant's change as a unified diff of its function (as ``mutmut show`` prints it)."""
    if not keys:
        return {}
    shown = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=work,
        input=json.dumps(dict.fromkeys(keys, path)),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, str] = json.loads(shown)
    return found


def describe(diff: str, key: str, path: str) -> tuple[int | None, str]:
    """The source line a mutant changes and the change, as ``old → new``."""
    old = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    new = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    change = " / ".join(old) + " → " + " / ".join(new)
    source = (ROOT / path).read_text(encoding="utf-8").splitlines()
    function = key.rpartition(".")[2].split("__mutmut_")[0].rpartition(SEP)[2].removeprefix("x_")
    start = next(
        (i for i, ln in enumerate(source) if re.match(rf"\s*(async\s+)?def {re.escape(function)}\b", ln)), 0
    )
    line = None
    if old:
        line = next((i + 1 for i in range(start, len(source)) if source[i].strip() == old[0]), None)
    return line, change


# -- the report ------------------------------------------------------------------------------


def load_baseline() -> dict[str, object]:
    if BASELINE.exists():
        data: dict[str, object] = json.loads(BASELINE.read_text(encoding="utf-8"))
        return data
    return {}


def explained(baseline: dict[str, object], name: str) -> dict[str, str]:
    """The baseline's explanations of *name*'s survivors, by change (line numbers move)."""
    modules = baseline.get("modules", {})
    entry = modules.get(name, {}) if isinstance(modules, dict) else {}
    return {s["change"]: s["why"] for s in entry.get("survivors", []) if s.get("why")}


def report(results: dict[str, dict[str, object]], baseline: dict[str, object]) -> bool:
    """Print the kill rates and survivors; True when every module meets the target, all explained."""
    ok = True
    print(f"\n{'module':<20} {'mutants':>7} {'killed':>7} {'rate':>7}")
    for name, r in results.items():
        rate = r["kill_rate"]
        shown = f"{rate:.0%}" if isinstance(rate, float) else "–"
        unchecked = f"  ({r['not_checked']} not checked: the run stopped early)" if r["not_checked"] else ""
        print(f"{name:<20} {r['mutants']:>7} {r['killed']:>7} {shown:>7}{unchecked}")
        if not isinstance(rate, float) or rate < TARGET:
            ok = False
    for name, r in results.items():
        survivors = r["survivors"]
        assert isinstance(survivors, list)
        if not survivors:
            continue
        why = explained(baseline, name)
        print(f"\n{name}: {len(survivors)} not killed")
        for s in survivors:
            reason = why.get(s["change"])
            if reason is None:
                ok = False
            mark = "  explained" if reason else "  unexplained"
            print(f"{mark}  {r['file']}:{s['line']}  {s['status']}  {s['change']}")
    return ok


def write_baseline(results: dict[str, dict[str, object]], baseline: dict[str, object]) -> None:
    modules = dict(baseline.get("modules", {}) or {})  # type: ignore[call-overload]
    for name, r in results.items():
        why = explained(baseline, name)
        before = modules.get(name, {}).get("before")
        survivors = r["survivors"]
        assert isinstance(survivors, list)
        modules[name] = {
            "file": r["file"],
            "functions": list(MODULES[name].functions),
            "tests": list(MODULES[name].tests),
            **({"left_out": list(MODULES[name].deselect)} if MODULES[name].deselect else {}),
            "before": before,
            "mutants": r["mutants"],
            "not_checked": r["not_checked"],
            "killed": r["killed"],
            "kill_rate": r["kill_rate"],
            "survivors": [{**s, "why": why.get(s["change"], "")} for s in survivors],
        }
    baseline["modules"] = dict(sorted(modules.items()))
    BASELINE.write_text(json.dumps(baseline, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {BASELINE.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="*", help=f"module names (default: all): {', '.join(MODULES)}")
    parser.add_argument("--list", action="store_true", help="list the modules and stop")
    parser.add_argument("--max-children", type=int, default=1, help="parallel mutants (default 1)")
    parser.add_argument("--write-baseline", action="store_true", help="record the figures in the baseline")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="report a module's last run in build/mutants instead of running it",
    )
    parser.add_argument(
        "--resume", action="store_true", help="go on with the mutants a stopped run left unchecked"
    )
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; choose from {', '.join(MODULES)}")
    if args.list:
        for name, m in MODULES.items():
            print(f"{name}: {m.path} ({', '.join(m.functions) or 'every function'}) — {m.why}")
            print(f"    tests: {' '.join(m.tests)}")
            if m.deselect:
                print(f"    left out: {' '.join(m.deselect)}")
        return 0
    results = {}
    for name in args.modules or list(MODULES):
        print(f"mutating {name} ({MODULES[name].path}) …", flush=True)
        mode = "reuse" if args.reuse else "resume" if args.resume else "fresh"
        results[name] = run_module(name, MODULES[name], children=args.max_children, mode=mode)
        rate = results[name]["kill_rate"]
        print(f"    {results[name]['killed']}/{results[name]['mutants']} killed ({rate})", flush=True)
    baseline = load_baseline()
    ok = report(results, baseline)
    if args.write_baseline:
        write_baseline(results, baseline)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
