"""Who is in the class: the students found in the class folder by the layout pattern.

The layout works like nbgrader's ``directory_structure``: a path under the class folder with
one ``{student}`` part, e.g. ``{student}/workbook.iiv`` (the default), ``{student}/*.iiv`` or
``submitted/{student}.iiv``. Every student found has their workbook, or the problem that
stands in its place (none handed in, several, a link out of the class folder).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from iivkit.errors import ValidationFailed, WorkbookMissingError

DEFAULT_LAYOUT = "{student}/workbook.iiv"
UNREADABLE = "unreadable"
"""A workbook that is there but cannot be read: damaged, or not an iivkit workbook."""
NO_WORKBOOK = "no workbook"
"""A student without a usable workbook: none found, several, or an unreadable one."""


@dataclass(frozen=True)
class Student:
    """One student found in the class folder: their workbook, or why there is none to use."""

    name: str
    workbook: Path | None
    problem: str = ""


def check_layout(layout: str) -> str:
    """The layout if it is usable: relative, inside the class folder, with exactly one ``{student}``."""
    path = PurePosixPath(layout)

    def bad(why: str) -> ValidationFailed:
        return ValidationFailed(f"{layout!r} {why} (e.g. {DEFAULT_LAYOUT!r})", field="layout")

    if layout.count("{student}") != 1:
        raise bad("must contain {student} exactly once")
    if re.search(r"[{}]", layout.replace("{student}", "")):
        raise bad("may hold no placeholder but {student}")
    if path.is_absolute() or ".." in path.parts or "\\" in layout or not layout.strip():
        raise bad("must be a path inside the class folder, written with /")
    if path.parts[-1] == "{student}":
        raise bad("must end in the workbook's file name, or a pattern such as *.iiv")
    return layout


def _regex(pattern: str) -> str:
    out = []
    for piece in re.split(r"(\{student\}|\*|\?)", pattern):
        out.append(
            {"{student}": "(?P<student>[^/]+)", "*": "[^/]*", "?": "[^/]"}.get(piece, re.escape(piece))
        )
    return "".join(out)


def discover(
    class_dir: Path, layout: str = DEFAULT_LAYOUT, *, exclude: Iterable[Path] = (), roster: Iterable[str] = ()
) -> list[Student]:
    """Every student of the class, by name, each with their workbook or the problem.

    Students are the names ``{student}`` matches, plus, when ``{student}`` names a folder, every
    folder in its place (a student who handed in nothing), plus the *roster*.

    :param exclude: folders to pass over, such as the output folder when it is inside the class.
    """
    check_layout(layout)
    if not class_dir.is_dir():
        raise WorkbookMissingError("no such class folder", file=class_dir)
    skip = [p.resolve() for p in exclude]
    root = class_dir.resolve()
    regex = re.compile(_regex(layout))
    found: dict[str, list[Path]] = {name: [] for name in roster}
    outside: dict[str, str] = {}
    for path in sorted(class_dir.glob(layout.replace("{student}", "*"))):
        rel = path.relative_to(class_dir).as_posix()
        match = regex.fullmatch(rel)
        if not match or not path.is_file() or any(p.startswith(".") for p in rel.split("/")):
            continue
        if any(path.resolve().is_relative_to(s) for s in skip):
            continue
        if not path.resolve().is_relative_to(root):
            # A link out of the class folder (another student's work, a system file): name it.
            outside[match.group("student")] = (
                f"{rel} is a link to a file outside the class folder; not followed"
            )
            found.setdefault(match.group("student"), [])
            continue
        found.setdefault(match.group("student"), []).append(path)
    parts = PurePosixPath(layout).parts
    depth = next(i for i, p in enumerate(parts) if "{student}" in p)
    if depth < len(parts) - 1:  # {student} names a folder: every such folder is a student
        folders = "/".join((*parts[:depth], parts[depth].replace("{student}", "*")))
        folder_re = re.compile(_regex("/".join(parts[: depth + 1])))
        for folder in sorted(class_dir.glob(folders)):
            rel = folder.relative_to(class_dir).as_posix()
            match = folder_re.fullmatch(rel)
            hidden = any(p.startswith(".") for p in rel.split("/"))
            if match and folder.is_dir() and not hidden and not any(folder.resolve() == s for s in skip):
                found.setdefault(match.group("student"), [])
                if not folder.resolve().is_relative_to(root):
                    outside[match.group("student")] = (
                        f"{rel} is a link to a folder outside the class folder; not followed"
                    )
    students = []
    for name in sorted(found, key=str.casefold):
        paths = found[name]
        expected = layout.replace("{student}", name)
        if name in outside:
            students.append(Student(name, None, outside[name]))
        elif not paths:
            students.append(Student(name, None, f"no workbook at {expected}"))
        elif len(paths) > 1:
            listed = ", ".join(p.relative_to(class_dir).as_posix() for p in paths)
            students.append(Student(name, None, f"{len(paths)} workbooks match {expected}: {listed}"))
        else:
            students.append(Student(name, paths[0]))
    return students
