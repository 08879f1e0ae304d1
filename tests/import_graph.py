"""The import graph of a package, read from its source with ``ast``, and the rules it must keep.

Every function here takes the package's folder, so ``tests/test_architecture.py`` runs the same
checks on iivkit and on a small package it builds to prove that each check can fail.

An edge is one import of a module of the package by another: at module level or inside a
function, absolute or relative; ``from pkg import x`` is an edge to ``pkg.x`` when ``x`` is a
module. A string that is exactly a module path (``"pkg.data"``, ``"pkg.x:func"``) is an edge
too, for the layer rules only: naming a module in a string ties to it as surely as importing it.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Edge:
    """``source`` imports (or, with ``by_string``, names) ``target`` at ``file:line``."""

    source: str
    target: str
    file: Path
    line: int
    by_string: bool = False

    def where(self, root: Path) -> str:
        return f"{self.file.relative_to(root.parent).as_posix()}:{self.line}"


@dataclass(frozen=True)
class Layers:
    """Which part of a package may import which.

    :param layer_of: the layer of each top-level part (``workbook`` for ``pkg.workbook.store``),
        lowest first; a module may import its own part and any part of the same or a lower layer.
    :param root_layer: the layer of the package's ``__init__``.
    :param apart: pairs of parts that share a layer but must not import each other.
    :param isolated: parts that may import nothing of the package.
    """

    layer_of: dict[str, int]
    root_layer: int = 0
    apart: frozenset[frozenset[str]] = field(default_factory=frozenset)
    isolated: frozenset[str] = field(default_factory=frozenset)


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package in *root*, by dotted name (a package by its ``__init__``)."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _trees(root: Path) -> Iterator[tuple[str, Path, ast.Module]]:
    for name, path in modules(root).items():
        yield name, path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _base(name: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` reads from, relative levels resolved."""
    if not node.level:
        return node.module or ""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(root: Path) -> list[Edge]:
    """Every import, anywhere in a module, of a module of the package (the package itself left out)."""
    package, known = root.name, modules(root)
    edges: list[Edge] = []
    for name, path, tree in _trees(root):
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _base(name, path, node)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in known else base)
            for target in targets:
                edge = Edge(name, target, path, getattr(node, "lineno", 0))
                if target.startswith(f"{package}.") and target != name and edge not in edges:
                    edges.append(edge)
    return edges


def _module_path_pattern(package: str) -> re.Pattern[str]:
    # Not after a letter, a dot, a slash or a hyphen, so a URL or file name is no module path.
    return re.compile(rf"(?<![\w./-]){re.escape(package)}(?:\.[A-Za-z_]\w*)+(?::[A-Za-z_]\w*)?")


@dataclass(frozen=True)
class NamedPath:
    """A module path in a string literal; ``whole`` when the string is nothing but that path."""

    path: str
    module: str
    file: Path
    line: int
    whole: bool


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def named_paths(root: Path) -> list[NamedPath]:
    """Every module path written in a string literal of the package, docstrings included."""
    pattern = _module_path_pattern(root.name)
    found: list[NamedPath] = []
    for name, path, tree in _trees(root):
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value.strip().removeprefix("-m ").strip()
            for match in pattern.finditer(node.value):
                whole = match.group(0) == text and id(node) not in docstrings
                found.append(NamedPath(match.group(0), name, path, node.lineno, whole))
    return sorted(found, key=lambda named: (named.file, named.line))


def string_edges(root: Path, *, not_modules: frozenset[str] = frozenset()) -> list[Edge]:
    """The module paths held whole in strings (``importlib.import_module(x)``, a preload list)."""
    return [
        Edge(named.module, named.path.split(":")[0], named.file, named.line, by_string=True)
        for named in named_paths(root)
        if named.whole and named.path not in not_modules and named.path != named.module
    ]


def _resolves(path: str, *, whole: bool) -> str | None:
    """Why *path* names nothing, or None when it does.

    A whole-string path must be a module (``module:function`` a function of one); a path in
    prose may also be an attribute of a module (``pkg.models.Interview``).
    """
    module, _, function = path.partition(":")
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:end]))
        except ModuleNotFoundError:
            continue
        if whole and end < len(parts):
            break
        for attribute in [*parts[end:], *([function] if function else [])]:
            if not hasattr(found, attribute):
                return f"{'.'.join(parts[:end])} has no {attribute!r}"
            found = getattr(found, attribute)
        return None
    return "no module of that name imports"


def unresolved_paths(root: Path, *, not_modules: frozenset[str] = frozenset()) -> list[str]:
    """Module paths in strings that name nothing: a module that moved, a function renamed.

    The package must be importable (on ``sys.path``).
    """
    problems: list[str] = []
    for named in named_paths(root):
        if named.path in not_modules:
            continue
        why = _resolves(named.path, whole=named.whole)
        if why is not None:
            where = f"{named.file.relative_to(root.parent).as_posix()}:{named.line}"
            problems.append(f"{where}: {named.path!r}: {why}")
    return problems


def _is_find_spec(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == "find_spec") or (
        isinstance(func, ast.Name) and func.id == "find_spec"
    )


def find_spec_calls(root: Path) -> list[str]:
    """``find_spec`` of the package's own modules: a module deciding at run time whether a
    sibling exists, which after a move silently switches a feature off."""
    package = root.name
    comprehensions = ast.GeneratorExp | ast.ListComp | ast.SetComp | ast.DictComp
    found: list[str] = []
    for name, path, tree in _trees(root):
        parent = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for call in filter(_is_find_spec, ast.walk(tree)):
            assert isinstance(call, ast.Call)
            # The name looked up: the call's arguments, or what a comprehension around it loops over.
            scopes: list[ast.AST] = [*call.args]
            node: ast.AST | None = call
            while node is not None:
                if isinstance(node, comprehensions):
                    scopes.extend(generator.iter for generator in node.generators)
                node = parent.get(node)
            texts = [
                const.value
                for scope in scopes
                for const in ast.walk(scope)
                if isinstance(const, ast.Constant) and isinstance(const.value, str)
            ]
            if any(text == package or text.startswith(f"{package}.") for text in texts):
                where = f"{path.relative_to(root.parent).as_posix()}:{call.lineno}"
                found.append(f"{where}: {name} looks up a module of its own package with find_spec")
    return found


def cycles(edges: list[Edge]) -> list[list[Edge]]:
    """One import cycle through each strongly connected group of modules, as its edges in order."""
    graph: dict[str, dict[str, Edge]] = {}
    for edge in edges:
        if not edge.by_string:
            graph.setdefault(edge.source, {}).setdefault(edge.target, edge)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, {})):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)

    found: list[list[Edge]] = []
    for group in groups:
        start = min(group)
        # Breadth-first from start back to start, within the group: the shortest cycle.
        came_from: dict[str, Edge] = {}
        frontier = [start]
        while frontier and start not in came_from:
            following: list[str] = []
            for node in frontier:
                for target, edge in sorted(graph.get(node, {}).items()):
                    if target in group and target not in came_from:
                        came_from[target] = edge
                        following.append(target)
            frontier = following
        path: list[Edge] = []
        node = start
        while True:
            edge = came_from[node]
            path.insert(0, edge)
            node = edge.source
            if node == start:
                break
        found.append(path)
    return sorted(found, key=lambda path: path[0].source)


def describe_cycle(path: list[Edge], root: Path) -> str:
    steps = " -> ".join(f"{edge.source} ({edge.where(root)})" for edge in path)
    return f"import cycle: {steps} -> {path[0].source}"


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_violations(root: Path, edges: list[Edge], layers: Layers) -> list[str]:
    """Edges that point up the layers, between parts kept apart, or out of an isolated part."""
    problems: list[str] = []
    known = modules(root)
    for edge in sorted(edges, key=lambda edge: (edge.file, edge.line)):
        how = "names" if edge.by_string else "imports"
        where = edge.where(root)
        source, target = _part(edge.source), _part(edge.target)
        if edge.target not in known:
            # A string naming no module is reported by unresolved_paths.
            if not edge.by_string:
                problems.append(f"{where}: {edge.source} imports {edge.target}, which is no module here")
            continue
        if source in layers.isolated:
            # An isolated part may still name modules in strings and import them later.
            if edge.by_string:
                continue
            problems.append(f"{where}: {edge.source} {how} {edge.target}; it may import nothing")
            continue
        if source == target:
            continue
        if target not in layers.layer_of or (source and source not in layers.layer_of):
            unknown = target if target not in layers.layer_of else source
            problems.append(f"{where}: {root.name}.{unknown} has no layer; give it one in the table")
            continue
        low = layers.layer_of[source] if source else layers.root_layer
        high = layers.layer_of[target]
        if high > low:
            problems.append(
                f"{where}: {edge.source} (layer {low}) {how} {edge.target} (layer {high}): up the layers"
            )
        elif frozenset({source, target}) in layers.apart:
            pair = " and ".join(sorted({source, target}))
            problems.append(f"{where}: {edge.source} {how} {edge.target}: {pair} stay apart")
    return problems


_SELECT = re.compile(r"\bselect\s", re.IGNORECASE)
_READ_SQL = frozenset({"read_sql", "read_sql_query"})


def sql_reads(root: Path, *, allowed: frozenset[str]) -> list[str]:
    """SQL reads outside the modules *allowed* to hold them: a string with ``SELECT `` in it
    (an f-string's text included; docstrings left out) or a call of pandas' ``read_sql`` or
    ``read_sql_query``."""
    found: set[tuple[str, int, str]] = set()
    for name, path, tree in _trees(root):
        if name in allowed:
            continue
        docstrings = _docstrings(tree)
        where = path.relative_to(root.parent).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in docstrings and _SELECT.search(node.value):
                    found.add((where, node.lineno, f"{name} holds a SELECT"))
            elif isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in _READ_SQL:
                    found.add((where, node.lineno, f"{name} calls {called}"))
    return [f"{where}:{line}: {what}" for where, line, what in sorted(found)]
