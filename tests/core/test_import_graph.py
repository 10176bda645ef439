"""The core's modules import each other without cycles: services get a `UnitOfWork` and their
collaborators, `Hub` wires them, and nothing the hub builds imports the hub back.

Every import counts, whether at module level, under `TYPE_CHECKING` or inside a function: a
type-only or deferred import still couples the two modules, and hiding a cycle behind one is
what this test exists to stop. Imports of a package's `__init__` count as imports of the
package module itself; `from package import name` counts as importing `package.name` when that
is a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import g4hub_core

ROOT = Path(g4hub_core.__file__).parent
PACKAGE = "g4hub_core"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    }


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            # `from g4hub_core.x import y`: the module `g4hub_core.x.y` if there is one, else x.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

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
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _is_package_entry(name: str) -> bool:
    # A package's `__init__` re-exports its modules: its edges to them are not dependencies a
    # module can be tangled in, and `g4hub_core` itself is the entry that imports `Hub`.
    return name == PACKAGE or Path(ROOT.parent, *name.split("."), "__init__.py").exists()


def test_the_walk_sees_the_core_and_every_kind_of_import() -> None:
    graph = import_graph()
    assert {"g4hub_core.hub", "g4hub_core.unit", "g4hub_core.sync.engine"} <= set(graph)
    # A module-level import, and one made only for type checkers.
    assert "g4hub_core.unit" in graph["g4hub_core.sync.service"]
    assert "g4hub_core.unit" in graph["g4hub_core.vault.rotation"]
    # A deferred import inside a function.
    assert "g4hub_core.sync.procrastinate_queue" in graph["g4hub_core.sync.queues"]


def test_no_module_of_the_core_imports_the_hub_but_the_package_entry() -> None:
    graph = import_graph()
    importers = sorted(name for name, targets in graph.items() if "g4hub_core.hub" in targets)
    assert importers == [PACKAGE]


def test_the_unit_of_work_is_a_leaf() -> None:
    graph = import_graph()
    assert graph["g4hub_core.unit"] <= {"g4hub_core.errors"}


def test_the_core_has_no_import_cycle() -> None:
    graph = {
        name: {target for target in targets if not _is_package_entry(target)}
        for name, targets in import_graph().items()
        if not _is_package_entry(name)
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
