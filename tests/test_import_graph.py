"""The package's import graph is a tree: no cycles, and the TUI's parts never import the app.

The graph is read from the source (ast), so it holds every import a module can make: at
module level and inside functions alike. Imports under `if TYPE_CHECKING:` never run and
are left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "workbench"


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for child in node.orelse for n in _imports_in(child))
            continue
        yield from _imports_in(node)


def _imports_in(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """module -> the package's modules it imports."""
    files = {module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in files else base)
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert "workbench.tui.screens.review" in graph and "workbench.cli.core" in graph
    assert cycles(graph) == []


def test_the_cycle_finder_finds_cycles_through_function_level_imports(tmp_path):
    package = tmp_path / "workbench"
    (package / "cli").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "cli" / "__init__.py").write_text("from workbench.cli import core\n")
    (package / "cli" / "core.py").write_text("def f():\n    from workbench.cli import echo\n")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from workbench import b\n"
    )
    (package / "b.py").write_text("from . import a\n")
    graph = import_graph(package)
    assert graph["workbench.cli.core"] == {"workbench.cli"}
    assert graph["workbench.a"] == set() and graph["workbench.b"] == {"workbench.a"}
    assert cycles(graph) == [["workbench.cli", "workbench.cli.core"]]


def test_screens_and_widgets_never_import_the_app():
    graph = import_graph()
    importers = {m for m, targets in graph.items() if "workbench.tui.app" in targets}
    assert "workbench.cli.review" in importers  # the command that runs it
    assert sorted(m for m in importers if m.startswith("workbench.tui")) == []


def test_the_core_imports_neither_the_cli_nor_the_app():
    graph = import_graph()
    faces = ("workbench.cli", "workbench.tui", "workbench.__main__")  # __main__ runs the CLI
    core = [m for m in graph if not m.startswith(faces)]
    assert "workbench.store" in core and "workbench.agreement" in core
    reaching = {
        m: sorted(t for t in graph[m] if t.startswith(("workbench.cli", "workbench.tui")))
        for m in core
    }
    assert {m: ts for m, ts in reaching.items() if ts} == {}
